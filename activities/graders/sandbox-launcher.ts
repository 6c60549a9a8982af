/**
 * The Python side of the code sandbox, run as `python3 -I -B -X utf8 -c LAUNCHER` (inside `unshare` when the
 * platform allows). It reads one JSON payload from stdin, then, before any untrusted code runs:
 *   1. makes every mount read-only except the work dir — only when it can prove it is in a mount namespace of its
 *      own (its mount-ns id differs from the worker's), so it can never touch the host's mounts;
 *   2. sets rlimits: address space, CPU seconds, processes, file size, open files, no core dumps;
 *   3. drops privileges: as real root, to a fresh unprivileged uid/gid; as root of a user namespace, drops every
 *      capability and locks the secure bits so nothing regains them; then sets no_new_privs;
 * and runs the dataset prelude, the candidate program and the tests in one namespace, each compiled separately
 * so a syntax error is attributed to the right part. The program is first reduced to its definitions, as EvalPlus
 * sanitizes completions: imports, functions, classes and the top-level assignments those use are kept; demo code
 * (`print(f(…))`, example loops, asserts of invented outputs, `if __name__ …` blocks) is dropped, so a correct
 * function is not failed by a crash or endless loop in its own usage example. A program that does not parse is
 * run as written (its syntax error is the verdict). The outcome goes to fd 3 as `<nonce> <json>`; a run
 * without that record (the program exited early, `os._exit`, a signal) is a failure, so calling `exit(0)`
 * cannot fake a pass.
 */
export const LAUNCHER_SOURCE = String.raw`
import ast, builtins, ctypes, json, os, resource, sys, traceback

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21

def libc():
    lib = ctypes.CDLL(None, use_errno=True)
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    return lib

def mount(lib, src, tgt, flags):
    if lib.mount(src, tgt, None, flags, None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), tgt)

def unescape(p):
    return p.replace('\\040', ' ').replace('\\011', '\t').replace('\\012', '\n').replace('\\134', '\\')

def lock_filesystem(wd, parent_ns):
    if not parent_ns or os.readlink('/proc/self/ns/mnt') == parent_ns:
        raise RuntimeError('not in a private mount namespace')
    lib = libc()
    mount(lib, None, b'/', MS_REC | MS_PRIVATE)
    mount(lib, wd.encode(), wd.encode(), MS_BIND | MS_REC)
    os.chdir(wd)  # the old cwd still points into the parent mount, which is about to become read-only
    failed = []
    with open('/proc/self/mountinfo') as f:
        entries = [line.split() for line in f]
    for fields in entries:
        mp, opts = unescape(fields[4]), fields[5].split(',')
        if mp == wd or mp.startswith(wd + '/') or 'ro' in opts:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for name, bit in (('nosuid', MS_NOSUID), ('nodev', MS_NODEV), ('noexec', MS_NOEXEC), ('noatime', MS_NOATIME), ('nodiratime', MS_NODIRATIME), ('relatime', MS_RELATIME)):
            if name in opts:
                flags |= bit
        try:
            mount(lib, None, mp.encode(), flags)
        except OSError:
            failed.append(mp)
    if '/' in failed:
        raise RuntimeError('could not remount / read-only')
    return failed

def set_limits(lim):
    for name, soft, hard in (
        ('RLIMIT_AS', lim['memoryBytes'], lim['memoryBytes']),
        ('RLIMIT_CPU', lim['cpuSeconds'], lim['cpuSeconds'] + 1),
        ('RLIMIT_NPROC', lim['processes'], lim['processes']),
        ('RLIMIT_FSIZE', lim['fileBytes'], lim['fileBytes']),
        ('RLIMIT_NOFILE', lim['openFiles'], lim['openFiles']),
        ('RLIMIT_CORE', 0, 0),
    ):
        if hasattr(resource, name):
            try:
                resource.setrlimit(getattr(resource, name), (soft, hard))
            except (ValueError, OSError):
                pass

class CapHeader(ctypes.Structure):
    _fields_ = [('version', ctypes.c_uint32), ('pid', ctypes.c_int)]

class CapData(ctypes.Structure):
    _fields_ = [('effective', ctypes.c_uint32), ('permitted', ctypes.c_uint32), ('inheritable', ctypes.c_uint32)]

def drop_privileges(uid, applied):
    lib = None
    try:
        lib = libc()
    except OSError:
        pass
    if os.geteuid() == 0 and uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        applied.append('uid')
    elif os.geteuid() == 0 and lib is not None:
        lib.prctl(28, 0x2f, 0, 0, 0)  # PR_SET_SECUREBITS: NOROOT, NO_SETUID_FIXUP, KEEP_CAPS (all locked)
        for cap in range(64):
            lib.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
        data = (CapData * 2)()
        if lib.capset(ctypes.byref(CapHeader(0x20080522, 0)), data) == 0:
            applied.append('caps')
    if lib is not None and lib.prctl(38, 1, 0, 0, 0) == 0:  # PR_SET_NO_NEW_PRIVS
        applied.append('nnp')

def where(exc, sources):
    tb = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(tb):
        src = sources.get(frame.filename)
        if src is not None:
            lines = src.splitlines()
            text = lines[frame.lineno - 1].strip() if frame.lineno and 0 < frame.lineno <= len(lines) else ''
            return '%s line %s: %s' % (frame.filename.strip('<>'), frame.lineno, text[:200])
    return ''

def describe(exc, stage, sources):
    msg = str(exc)[:300]
    at = where(exc, sources)
    return '%s: %s%s%s' % (stage, type(exc).__name__, (': ' + msg) if msg else '', (' (at ' + at + ')') if at else '')

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

def sanitize(src):
    # Keep definitions, imports and the global assignments they read, in source order; drop everything else.
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError):
        return src, 0
    defs = [n for n in tree.body if isinstance(n, KEPT)]
    used = {x.id for n in defs for x in ast.walk(n) if isinstance(x, ast.Name)}
    def assigns_used(n):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, ast.AnnAssign) else []
        return any(isinstance(x, ast.Name) and x.id in used for t in targets for x in ast.walk(t))
    keep = [n for n in tree.body if isinstance(n, KEPT) or assigns_used(n)]
    lines = src.split('\n')
    out = []
    for n in keep:
        start = min([n.lineno] + [d.lineno for d in getattr(n, 'decorator_list', [])])
        out.append('\n'.join(lines[start - 1:n.end_lineno]))
    return '\n'.join(out) + '\n', len(tree.body) - len(keep)

DROPPED = [0]

def run(p):
    # Not '__main__': a candidate's demo block (often calling input()) must not run as part of grading.
    g = {'__name__': '__solution__', '__builtins__': builtins}
    sources = {'<prelude>': p['prelude'], '<program>': p['program'], '<tests>': p['tests']}
    for stage in ('prelude', 'program', 'tests'):
        src = p[stage]
        if stage == 'program' and p.get('sanitize'):
            src, DROPPED[0] = sanitize(src)
            sources['<program>'] = src
        if not src.strip():
            continue
        try:
            code = compile(src, '<%s>' % stage, 'exec')
        except (SyntaxError, ValueError) as e:
            line = ' (line %s)' % e.lineno if getattr(e, 'lineno', None) else ''
            return ('syntax' if stage == 'program' else 'crash', '%s: %s: %s%s' % (stage, type(e).__name__, getattr(e, 'msg', str(e)), line))
        try:
            exec(code, g)
        except AssertionError as e:
            return ('assertion' if stage == 'tests' else 'crash', describe(e, stage, sources))
        except MemoryError as e:
            return ('memory', describe(e, stage, sources))
        except SystemExit as e:
            return ('crash', '%s: the program called exit(%s) before the tests finished' % (stage, e.code))
        except BaseException as e:
            traceback.print_exc(limit=5)
            return ('crash', describe(e, stage, sources))
    return ('passed', '')

def main():
    p = json.loads(sys.stdin.buffer.read().decode('utf-8'))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    applied = []
    if p.get('lockFs'):
        try:
            failed = lock_filesystem(os.getcwd(), p.get('parentMountNs'))
            applied.append('ro-fs' + ('' if not failed else '(except %d mounts)' % len(failed)))
        except Exception as e:
            applied.append('ro-fs-failed: %s' % e)
    set_limits(p['limits'])
    drop_privileges(p.get('uid'), applied)
    nonce = p.pop('nonce')
    reason, message = run(p)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    record = nonce + ' ' + json.dumps({'reason': reason, 'message': message, 'applied': applied, 'dropped': DROPPED[0]}) + '\n'
    try:
        os.write(3, record.encode('utf-8'))
    except OSError:
        pass
    os._exit(0)

main()
`;
