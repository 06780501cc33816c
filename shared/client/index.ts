export * from './client.js';
export * from './transport.js';
export * from './ws-transport.js';
