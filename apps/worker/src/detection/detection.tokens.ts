export const DETECTION_REDIS = Symbol('DETECTION_REDIS');
