import { alertObject, matchObject } from './match-fields';
import type { AlertContext, MatchContext, ScanOutput } from './scan-output.types';

/** One JSON array of the objects `--format ndjson` prints a line each, streamed. */
export class JsonOutput implements ScanOutput {
  private count = 0;

  header(): string[] {
    return [];
  }

  private item(value: unknown): string[] {
    return [`${this.count++ === 0 ? '[' : ','}${JSON.stringify(value)}`];
  }

  match(context: MatchContext): string[] {
    return this.item(matchObject(context));
  }

  alert({ alert }: AlertContext): string[] {
    return this.item(alertObject(alert));
  }

  footer(): string[] {
    return [this.count === 0 ? '[]' : ']'];
  }
}
