/**
 * One way to reach Temporal for every maspo command:
 *   - `TEMPORAL_ADDRESS` set → a real cluster, configured the standard way by `@temporalio/envconfig`
 *     (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE);
 *   - otherwise → the embedded dev server of this project (started on first use, reused afterwards).
 * The same settings serve the `Client` (grpc-js `Connection`) and, lazily, the worker's `NativeConnection`.
 * The Client decodes large payloads through the claim-check codec the workers encode with (platform/payloads).
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { maspoDataConverter, payloadSettings } from '../../platform/payloads/settings';
import { ensureDevServer, type DevServerOptions, type Log } from './dev-server';
import { maspoHome } from '../../platform/home';

export interface TemporalConnection {
  client: Client;
  connection: Connection;
  /** The worker-side connection, created on first call and closed by `close()`. */
  nativeConnection(): Promise<NativeConnection>;
  namespace: string;
  address: string;
  /** Web UI base URL: the embedded server's, or `$TEMPORAL_UI_URL` for a real cluster. */
  uiUrl?: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface ConnectTemporalOptions {
  /** Undefined: a real cluster when TEMPORAL_ADDRESS is set, else embedded. True/false force one or the other. */
  embedded?: boolean;
  /** Environment to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Options for the embedded server (home, ports, namespace…). */
  devServer?: DevServerOptions;
  log?: Log;
}

type ConnectSettings = Pick<NativeConnectionOptions, 'address' | 'tls' | 'apiKey' | 'metadata'>;

export async function connectTemporal(opts: ConnectTemporalOptions = {}): Promise<TemporalConnection> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const embedded = opts.embedded ?? !env.TEMPORAL_ADDRESS?.trim();
  const dataConverter = maspoDataConverter(payloadSettings(env));

  let settings: ConnectSettings;
  let namespace: string;
  let uiUrl: string | undefined;
  if (embedded) {
    namespace = opts.devServer?.namespace ?? (env.TEMPORAL_NAMESPACE?.trim() || 'default');
    const home = opts.devServer?.home ?? maspoHome(env);
    const { state } = await ensureDevServer({ log, ...opts.devServer, home, namespace });
    settings = { address: state.address };
    uiUrl = state.uiUrl;
  } else {
    const overrideEnvVars = opts.env ? definedOnly(opts.env) : undefined;
    const config = loadClientConnectConfig(overrideEnvVars ? { overrideEnvVars } : {});
    const { address, tls, apiKey, metadata } = config.connectionOptions;
    settings = { address: address ?? 'localhost:7233', tls, apiKey, metadata };
    namespace = config.namespace ?? 'default';
    uiUrl = env.TEMPORAL_UI_URL?.trim() || undefined;
    // Never the key itself, only whether one is used.
    log(`connecting to Temporal at ${settings.address}, namespace ${namespace}${tls ? ', TLS' : ''}${apiKey ? ', API key from the environment' : ''}`);
  }

  let connection: Connection;
  try {
    connection = await Connection.connect({ ...settings });
  } catch (err) {
    const hint = embedded
      ? 'the embedded server is not answering; try `maspo server stop` and run again'
      : 'check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS* and TEMPORAL_API_KEY, or unset TEMPORAL_ADDRESS to use the embedded server';
    throw new Error(`cannot reach Temporal at ${settings.address}: ${(err as Error).message} (${hint})`);
  }

  let native: Promise<NativeConnection> | undefined;
  return {
    client: new Client({ connection, namespace, dataConverter }),
    connection,
    nativeConnection() {
      // Loaded on demand: commands that only act as a client never load the worker's native module.
      native ??= import('@temporalio/worker').then(({ NativeConnection }) => NativeConnection.connect({ ...settings }));
      return native;
    },
    namespace,
    address: settings.address!,
    uiUrl,
    embedded,
    async close() {
      const n = native;
      native = undefined;
      await Promise.all([n?.then((c) => c.close()).catch(() => undefined), connection.close()]);
    },
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
