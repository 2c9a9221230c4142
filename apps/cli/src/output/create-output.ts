import { IdsOutput, NdjsonOutput } from './ndjson.output';
import type { OutputFormat, ScanOutput } from './scan-output.types';
import { TableOutput } from './table.output';

export function createOutput(format: OutputFormat): ScanOutput {
  switch (format) {
    case 'table':
      return new TableOutput();
    case 'ndjson':
      return new NdjsonOutput();
    case 'ids':
      return new IdsOutput();
  }
}
