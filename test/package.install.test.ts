/**
 * What `npm ci` tells a new user: no dependency may need a newer Node than the project's `engines.node` admits (npm
 * warns EBADENGINE), and every dependency with an install script has a recorded decision in `allowScripts` (npm 11
 * blocks unreviewed install scripts and ends every install with a list of them). Read from the lockfile.
 */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; allowScripts?: Record<string, boolean> };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; hasInstallScript?: boolean; optional?: boolean }>;
};
const nameOf = (key: string) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

test("the oldest Node the project admits satisfies every locked dependency's engines.node", () => {
  const oldest = semver.minVersion(pkg.engines.node)!.version;
  const refused = Object.entries(lock.packages)
    .filter(([key, p]) => key !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
    .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
    .map(([key, p]) => `${nameOf(key)} needs node ${(p.engines as { node: string }).node}`);
  expect(refused).toEqual([]);
  expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
});

test('every dependency with an install script is approved or denied in allowScripts', () => {
  const decided = new Set(Object.keys(pkg.allowScripts ?? {}).map((k) => k.replace(/(?<=.)@[^@]*$/, '')));
  const undecided = Object.entries(lock.packages)
    .filter(([key, p]) => key !== '' && p.hasInstallScript)
    .map(([key]) => nameOf(key))
    .filter((name) => !decided.has(name));
  expect(undecided).toEqual([]);
});
