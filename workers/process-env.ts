/**
 * The environment a long-running worker process should start with (the Dockerfile's worker sets the same; a
 * `maspo worker` started from a shell should too: deploy/README.md). Both act at process start, so they cannot be
 * set from inside the worker.
 *
 * Why (measured on bench/engine's paper-fixed-8k, 8K-token replies: worker peak RSS 669 → 442 MB): the live data is
 * ~115 MB, the rest of the peak is garbage and freed memory nobody returned.
 * - `--max-old-space-size=1024`: with Node's default limit (¼ of RAM, 4 GB here) V8 lets a heap grow to ~4× its
 *   live size before a full GC; under a 2 GB limit it collects at 1.3–2×. A search's workflow state is tens of MB.
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread (the SDK's Rust core, libuv's pool, V8's helpers) its own malloc
 *   arena and keeps what they freed; two arenas cut that from 200–290 MB to 130–170 MB.
 */
const WORKER_HEAP_MB = 1024;

export function workerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const nodeOptions = env.NODE_OPTIONS?.includes('--max-old-space-size') ? env.NODE_OPTIONS : [env.NODE_OPTIONS, `--max-old-space-size=${WORKER_HEAP_MB}`].filter(Boolean).join(' ');
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2', NODE_OPTIONS: nodeOptions };
}
