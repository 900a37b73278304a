/** Faults a test can make the Vault emulator produce, for the next N matching requests. */
export type VaultFault = {
  /** Only requests whose path (after /v1/) matches; all requests when absent. */
  path?: string | RegExp;
  method?: string;
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number;
} & (
  | { kind: 'status'; status: number; errors?: string[]; body?: string }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'delay'; ms: number }
);

export class FaultInjector {
  private faults: Array<VaultFault & { left: number }> = [];

  add(fault: VaultFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, counted as used. */
  take(method: string, pathname: string): VaultFault | undefined {
    const path = pathname.replace(/^\/v1\//, '');
    const fault = this.faults.find(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
        (f.path === undefined ||
          (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}
