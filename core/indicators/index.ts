export * from './bar-indicators';
export * from './correlation';
export * from './engine';
export * from './regime';
export * from './snapshot';
