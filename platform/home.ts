/**
 * Where maspo keeps its per-project data: the embedded server's SQLite file and state, the project-local Temporal
 * CLI, caches and logs. One directory, so `rm -rf .maspo` resets a project and `MASPO_HOME` can move it elsewhere.
 */
import path from 'node:path';

/** `$MASPO_HOME` if set (relative values resolve against `cwd`), else `<cwd>/.maspo`. */
export function maspoHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const fromEnv = env.MASPO_HOME?.trim();
  return fromEnv ? path.resolve(cwd, fromEnv) : path.join(cwd, '.maspo');
}

/** The fixed layout under a maspo home. Nothing here touches the file system. */
export interface HomePaths {
  home: string;
  /** Project-local tools; `bin/temporal` is what `maspo setup` installs. */
  toolsDir: string;
  toolsBinDir: string;
  /** Where the SDK's own CLI download lands when it is asked for (`findTemporalCli({ allowDownload })`). */
  sdkDownloadDir: string;
  /** Downloaded wheels and other re-usable downloads. */
  cacheDir: string;
  /** The LLM response cache of the workers this home runs (`llm/` under `cacheDir`). */
  llmCacheDir: string;
  logsDir: string;
  serverLog: string;
  /** JSON `DevServerState` of the embedded server started for this home. */
  serverState: string;
  /** SQLite persistence of the embedded server. */
  dbFile: string;
}

export function homePaths(home: string = maspoHome()): HomePaths {
  const toolsDir = path.join(home, 'tools');
  const logsDir = path.join(home, 'logs');
  return {
    home,
    toolsDir,
    toolsBinDir: path.join(toolsDir, 'bin'),
    sdkDownloadDir: path.join(toolsDir, 'sdk-download'),
    cacheDir: path.join(home, 'cache'),
    llmCacheDir: path.join(home, 'cache', 'llm'),
    logsDir,
    serverLog: path.join(logsDir, 'temporal-server.log'),
    serverState: path.join(home, 'server.json'),
    dbFile: path.join(home, 'temporal.db'),
  };
}
