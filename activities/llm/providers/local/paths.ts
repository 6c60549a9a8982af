/**
 * Where the local model runtime lives under a maspo home: `llm/bin/llama-server`, `llm/models/*.gguf`, one state
 * file and one log per running server. Nothing here touches the file system.
 */
import path from 'node:path';

export interface LocalLlmPaths {
  root: string;
  binDir: string;
  serverBinary: string;
  modelsDir: string;
  /** Wheels and the source package while setup runs; emptied afterwards. */
  downloadsDir: string;
  buildDir: string;
  serversDir: string;
  logsDir: string;
}

export function localLlmPaths(home: string): LocalLlmPaths {
  const root = path.join(home, 'llm');
  return {
    root,
    binDir: path.join(root, 'bin'),
    serverBinary: path.join(root, 'bin', 'llama-server'),
    modelsDir: path.join(root, 'models'),
    downloadsDir: path.join(root, 'downloads'),
    buildDir: path.join(root, 'build'),
    serversDir: path.join(root, 'servers'),
    logsDir: path.join(root, 'logs'),
  };
}
