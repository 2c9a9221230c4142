// The view moved to @trailguard/db, where "a finding changed" is written; kept here for importers.
export { findingView, type FindingView } from '@trailguard/db';
