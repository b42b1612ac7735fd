#!/usr/bin/env node
/**
 * Builds tools/kafka-mock from npm alone: librdkafka's C source ships inside the node-rdkafka tarball
 * (deps/librdkafka; its own native addon build is switched off in package.json "allowScripts"). We build
 * a static librdkafka.a with every optional dependency off (no OpenSSL, SASL, zlib, zstd, curl), then link
 * kafka-mock.c against it: the binary needs only libc/libm and a C toolchain to build.
 *
 * Both steps are cached outside node_modules (so `npm ci` does not throw them away):
 *   <cache>/librdkafka-<version>/         static library + headers, built once per librdkafka version (~1 min)
 *   <cache>/kafka-mock-<version>-<hash>/  the linked binary, per version and kafka-mock.c content (~1 s)
 * <cache> is $LEAKWATCH_CACHE_DIR, else $XDG_CACHE_HOME/leakwatch, else ~/.cache/leakwatch.
 * Parallel test workers may call this at the same time: one builds under a lock, the others wait.
 *
 * Prints the binary's path on stdout. `--print-path` prints it without building (empty if not built).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SOURCE = path.join(__dirname, 'kafka-mock.c');
const LOCK_WAIT_MS = 10 * 60_000;
// librdkafka's configure probes for optional libraries; each must be off so the build needs no -dev package.
const CONFIGURE_FLAGS = [
  '--no-download', '--enable-static', '--disable-ssl', '--disable-gssapi', '--disable-zlib', '--disable-zstd',
  '--disable-lz4-ext', '--disable-curl', '--disable-syslog',
];

function cacheRoot() {
  if (process.env.LEAKWATCH_CACHE_DIR) return process.env.LEAKWATCH_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'leakwatch');
}

function librdkafkaSource() {
  let pkg;
  try {
    pkg = require.resolve('node-rdkafka/package.json', { paths: [path.resolve(__dirname, '../..')] });
  } catch {
    throw new Error('node-rdkafka is not installed: run `npm ci` first (it carries the librdkafka source).');
  }
  const dir = path.join(path.dirname(pkg), 'deps', 'librdkafka');
  const header = fs.readFileSync(path.join(dir, 'src', 'rdkafka.h'), 'utf8');
  const match = /#define RD_KAFKA_VERSION\s+0x([0-9a-f]{8})/i.exec(header);
  if (!match) throw new Error(`cannot read RD_KAFKA_VERSION from ${dir}/src/rdkafka.h`);
  const v = parseInt(match[1], 16);
  return { dir, version: `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}` };
}

function paths() {
  const { dir, version } = librdkafkaSource();
  const hash = crypto.createHash('sha256').update(fs.readFileSync(SOURCE)).digest('hex').slice(0, 12);
  const root = cacheRoot();
  const lib = path.join(root, `librdkafka-${version}`);
  return {
    source: dir,
    version,
    root,
    lib,
    archive: path.join(lib, 'librdkafka.a'),
    include: path.join(lib, 'include'),
    binary: path.join(root, `kafka-mock-${version}-${hash}`, 'kafka-mock'),
  };
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** A directory lock (mkdir is atomic); a lock whose owner died is taken over. */
function withLock(lockDir, work) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* the owner has not written its pid yet */
      }
      if (Number.isInteger(owner) && !alive(owner)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the kafka-mock build lock ${lockDir}`);
      sleepSync(250);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function run(command, args, cwd) {
  try {
    execFileSync(command, args, { cwd, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.slice(-4000);
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${output}`);
  }
}

function buildLibrary(p) {
  if (fs.existsSync(p.archive)) return;
  const work = fs.mkdtempSync(path.join(p.root, 'librdkafka-build-'));
  try {
    process.stderr.write(`kafka-mock: building librdkafka ${p.version} from node-rdkafka's source (once, about a minute)…\n`);
    // configure writes into the source tree: build in a copy, never inside node_modules.
    fs.cpSync(p.source, work, { recursive: true });
    run('./configure', CONFIGURE_FLAGS, work);
    run('make', [`-j${Math.max(1, os.availableParallelism?.() ?? os.cpus().length)}`, '-C', 'src', 'librdkafka.a'], work);
    const staged = `${p.lib}.tmp-${process.pid}`;
    fs.rmSync(staged, { recursive: true, force: true });
    fs.mkdirSync(path.join(staged, 'include', 'librdkafka'), { recursive: true });
    fs.copyFileSync(path.join(work, 'src', 'librdkafka.a'), path.join(staged, 'librdkafka.a'));
    for (const header of ['rdkafka.h', 'rdkafka_mock.h']) {
      fs.copyFileSync(path.join(work, 'src', header), path.join(staged, 'include', 'librdkafka', header));
    }
    fs.rmSync(p.lib, { recursive: true, force: true });
    fs.renameSync(staged, p.lib);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function buildBinary(p) {
  if (fs.existsSync(p.binary)) return;
  fs.mkdirSync(path.dirname(p.binary), { recursive: true });
  const temp = `${p.binary}.tmp-${process.pid}`;
  const cc = process.env.CC || 'cc';
  run(cc, ['-O2', '-Wall', '-I', p.include, '-o', temp, SOURCE, p.archive, '-lpthread', '-lm', '-ldl', '-lrt', '-s'], __dirname);
  fs.renameSync(temp, p.binary); // atomic: nobody ever executes a half-written binary
}

/** Returns the path of an up-to-date kafka-mock binary, building what is missing. */
function ensureKafkaMock() {
  const p = paths();
  if (fs.existsSync(p.binary)) return p.binary;
  fs.mkdirSync(p.root, { recursive: true });
  withLock(path.join(p.root, `kafka-mock-${p.version}.lock`), () => {
    buildLibrary(p);
    buildBinary(p);
  });
  return p.binary;
}

module.exports = { ensureKafkaMock, kafkaMockPaths: paths };

if (require.main === module) {
  try {
    if (process.argv.includes('--print-path')) {
      const p = paths();
      process.stdout.write(fs.existsSync(p.binary) ? `${p.binary}\n` : '\n');
    } else {
      const started = Date.now();
      const binary = ensureKafkaMock();
      process.stderr.write(`kafka-mock: ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      process.stdout.write(`${binary}\n`);
    }
  } catch (error) {
    process.stderr.write(`kafka-mock: ${error.message}\n`);
    process.exit(1);
  }
}
