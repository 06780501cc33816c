// `npm start`: the primary. Workers and the coordinator are started from it.
import { startPrimary } from './primary/main.js';

startPrimary(process.argv.slice(2)).catch((err) => {
  console.error('shoal: failed to start:', err);
  process.exit(1);
});
