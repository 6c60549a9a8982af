/** Process entry of the CLI (bin/maspo.js loads the compiled copy; tests run this file through tsx). */
import { main } from './cli';

void main();
