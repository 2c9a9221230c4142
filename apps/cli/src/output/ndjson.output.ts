import { alertObject, eventIdOf, matchObject } from './match-fields';
import type { AlertContext, MatchContext, ScanOutput } from './scan-output.types';

export class NdjsonOutput implements ScanOutput {
  header(): string[] {
    return [];
  }

  match(context: MatchContext): string[] {
    return [JSON.stringify(matchObject(context))];
  }

  alert({ alert }: AlertContext): string[] {
    return [JSON.stringify(alertObject(alert))];
  }

  footer(): string[] {
    return [];
  }
}

/** One matched eventID a line (once per reported rule match); correlation alerts as NDJSON. */
export class IdsOutput implements ScanOutput {
  private readonly ndjson = new NdjsonOutput();

  header(): string[] {
    return [];
  }

  match({ record }: MatchContext): string[] {
    const id = eventIdOf(record);
    return id === null ? [] : [id];
  }

  alert(context: AlertContext): string[] {
    return this.ndjson.alert(context);
  }

  footer(): string[] {
    return [];
  }
}
