// The client library as Node programs get it (`shoal/client` under Node): everything the browser
// gets, plus the TCP transport, which needs node:net and so stays out of the browser's index.
export * from './index.js';
export * from './tcp-transport.js';
