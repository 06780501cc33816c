// Entry point of the browser bundle (scripts/build-web.mjs -> dist/web/app.js).
import { App } from './app.js';

new App().start();
