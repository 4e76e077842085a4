export { CsvProvider, parseCsv } from './csv.js';
export { HttpProvider, type HttpProviderOptions } from './http.js';
export { DataProviders, dataFile, lookupKey } from './providers.js';
export { RegistryProvider } from './registry.js';
export { checkQuery, SqlProvider } from './sql.js';
export { answerFor, type DataProvider, type ProviderAnswer, ProviderError } from './types.js';
