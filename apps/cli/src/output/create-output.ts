import { CsvOutput } from './csv.output';
import { JsonOutput } from './json.output';
import { IdsOutput, NdjsonOutput } from './ndjson.output';
import { OcsfOutput } from './ocsf.output';
import type { OutputFormat, OutputOptions, ScanOutput } from './scan-output.types';
import { TableOutput } from './table.output';

export function createOutput(format: OutputFormat, options: OutputOptions = { color: false, width: 160 }): ScanOutput {
  switch (format) {
    case 'table':
      return new TableOutput(options);
    case 'ndjson':
      return new NdjsonOutput();
    case 'ids':
      return new IdsOutput();
    case 'csv':
      return new CsvOutput();
    case 'json':
      return new JsonOutput();
    case 'ocsf':
      return new OcsfOutput();
  }
}
