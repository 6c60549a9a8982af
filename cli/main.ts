/** Process entry of the CLI (bin/maspo.js loads the compiled copy; tests run this file through tsx). */
import { installWorkerLogging } from '../workers/logging';
import { main } from './program';

// Before any connection exists: the Temporal runtime takes its logger when first created.
installWorkerLogging();
void main();
