// Worker state changes are logged at INFO by default; tests only need warnings and errors.
import { installWorkerLogging } from '../../workers/logging';

installWorkerLogging('WARN');
