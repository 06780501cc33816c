export * from './messages.js';
export * from './limits.js';
export * from './codec.js';
export * from './validate.js';
