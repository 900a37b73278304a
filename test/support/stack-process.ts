/**
 * The test stack in a process of its own (what `npm run stack` runs), so that the emulators' CPU
 * work does not share the caller's event loop (benchmarks, `npm run demo`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { StackInfo } from './stack.js';

export interface StackProcess {
  info: StackInfo;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Stops a child with SIGTERM, and with SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startStackProcess(args: string[] = []): Promise<StackProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/stack-cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const newline = out.indexOf('\n');
        if (newline >= 0) resolve(out.slice(0, newline));
      });
      child.once('exit', (code) => reject(new Error(`the stack exited with ${code}`)));
    });
    return { child, info: JSON.parse(line) as StackInfo, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
