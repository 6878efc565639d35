// Process and port helpers shared by the infra scripts: pid files, "who holds this
// port", waiting for readiness, clean stop with a SIGKILL fallback.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const stateDir = path.join(repoRoot, '.vigil');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class InfraError extends Error {}

export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A zombie still "exists" for kill(0); it is dead for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export function readPid(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid in `file` if that process is alive and its command line contains `marker`. */
export function livePid(file, marker) {
  const pid = readPid(file);
  if (pid && isAlive(pid) && commandLine(pid).includes(marker)) return pid;
  return undefined;
}

export function isPortOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** "pid 123 (java ...)" for whoever listens on a TCP port, or undefined if ss can't tell. */
export function portOwner(port) {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /pid=(\d+)/.exec(out);
    if (!match) return undefined;
    const pid = Number(match[1]);
    // Long JVM command lines: the program and its last arguments say what it is.
    const argv = commandLine(pid).split(' ');
    const cmd = argv.length > 4 ? `${argv[0]} ... ${argv.slice(-2).join(' ')}` : argv.join(' ');
    return { pid, describe: `pid ${pid}${cmd ? ` (${cmd})` : ''}` };
  } catch {
    return undefined;
  }
}

export function tail(file, lines = 30) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return `(no ${file})`;
  }
}

/** Polls `check` (async, truthy = ready) until it succeeds, `abort` returns a reason, or time runs out. */
export async function waitFor(check, { timeoutMs, intervalMs = 250, abort }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    const reason = abort?.();
    if (reason) return { ok: false, reason };
    try {
      const result = await check();
      if (result) return { ok: true, result };
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  return { ok: false, reason: `not ready after ${Math.round(timeoutMs / 1000)} s`, lastError };
}

/** Starts a long-running process detached from us, output appended to `logFile`, pid in `pidFile`. */
export function spawnDetached(command, args, { cwd, env, logFile, pidFile }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM, wait for the process to exit, SIGKILL only after `timeoutMs`. */
export async function stopPid(pid, { name, timeoutMs = 60_000 }) {
  if (!isAlive(pid)) return 'not running';
  process.kill(pid, 'SIGTERM');
  const stopped = await waitFor(() => !isAlive(pid), { timeoutMs, intervalMs: 200 });
  if (stopped.ok) return 'stopped';
  console.log(`${name}: pid ${pid} still running ${Math.round(timeoutMs / 1000)} s after SIGTERM; sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited in between
  }
  await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 100 });
  return 'killed';
}

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function have(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
