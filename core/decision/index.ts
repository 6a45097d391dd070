export * from './decide-entries';
