// `liveness bench` in a fresh Node process: the probes and the runs of --runs each need a process of their own.
import { spawn } from 'node:child_process';

export interface BenchChildOutput {
  code: number;
  stdout: string;
  /** Empty when the child's stderr went to this process's own. */
  stderr: string;
}

/** Runs `liveness bench ...args` with this process's entry point and Node flags; stderr passed through or kept. */
export async function runBenchChild(args: readonly string[], stderr: 'inherit' | 'keep'): Promise<BenchChildOutput> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'bench', ...args], {
    stdio: ['ignore', 'pipe', stderr === 'keep' ? 'pipe' : 'inherit'],
    env: process.env,
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (output.stderr += chunk));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  return { code, ...output };
}
