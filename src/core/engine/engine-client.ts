import { readFileSync } from 'node:fs';
import type { VaultSettings } from '../../shared/settings.js';
import type * as Api from './engine-api.js';
import {
  EngineError,
  engineSocketPath,
  engineTokenPath,
  MAX_REPLY_BYTES,
  PROTOCOL_VERSION,
  versionMismatch,
} from './engine-protocol.js';
import type { EngineErrorCode, WireRequest } from './engine-protocol.js';

/** No engine listens for this settings folder: the caller works on its own. */
export class NoEngineError extends Error {
  override readonly name = 'NoEngineError';
}

/**
 * One request to the engine (daemon or tray app) of `configDir`, and its result. Plain node:net
 * and JSON: `credential-process` answers from here without loading the rest of the CLI. (A sync
 * read of the 65-byte token file: node:fs/promises alone costs that path 1.5 ms to load.)
 */
export async function askEngine(
  configDir: string,
  platform: string,
  op: Api.EngineOperation,
  args: unknown[],
  options: { progress?: Api.Progress; timeoutMs?: number } = {},
): Promise<unknown> {
  let token: string;
  try {
    token = readFileSync(engineTokenPath(configDir), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoEngineError();
    throw error;
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  // Loaded when first needed: a credential-process answered from the cache never pays for it.
  const { connect } = process.getBuiltinModule('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(engineSocketPath(configDir, platform));
    let connected = false;
    let received = '';
    let settled = false;
    const finish = (line: string) => {
      let message: {
        v?: number;
        progress?: string;
        ok?: boolean;
        result?: unknown;
        code?: EngineErrorCode;
        message?: string;
      };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        settled = true;
        reject(new Error('the engine answered something that is not JSON'));
        return;
      }
      if (typeof message.progress === 'string') {
        options.progress?.(message.progress);
        return;
      }
      settled = true;
      // An engine from before versions answers without `v`: never take its answer as ours.
      if (message.v !== PROTOCOL_VERSION && message.code !== 'version_mismatch')
        reject(
          new EngineError('version_mismatch', versionMismatch(PROTOCOL_VERSION, message.v ?? 1)),
        );
      else if (message.ok === true) resolve(message.result);
      else
        reject(new EngineError(message.code ?? 'failure', message.message ?? 'the engine refused'));
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`the engine did not answer within ${timeoutMs / 1000} s`)),
    );
    socket.once('connect', () => {
      connected = true;
      // Optional arguments left out travel as nothing, not as null.
      const sent = [...args];
      while (sent.length > 0 && sent.at(-1) === undefined) sent.pop();
      const request: WireRequest = { v: PROTOCOL_VERSION, token, op, args: sent };
      socket.end(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REPLY_BYTES)
        socket.destroy(new Error('the engine answered too much'));
      let newline: number;
      while (!settled && (newline = received.indexOf('\n')) >= 0) {
        const line = received.slice(0, newline);
        received = received.slice(newline + 1);
        finish(line);
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // A socket file left by an engine that was killed refuses connections: no engine either.
      const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      if (!settled) reject(!connected && gone ? new NoEngineError() : error);
      settled = true;
    });
    socket.once('end', () => {
      if (!settled && received.trim()) finish(received);
      if (!settled) reject(new Error('the engine closed the connection without an answer'));
      settled = true;
    });
  });
}

/** The running engine's EngineApi, over its socket. Refusals arrive as the engine's EngineError. */
export class SocketEngine implements Api.EngineApi {
  constructor(
    private readonly configDir: string,
    private readonly platform: string,
  ) {}

  private call<T>(op: Api.EngineOperation, args: unknown[], progress?: Api.Progress) {
    return askEngine(this.configDir, this.platform, op, args, { progress }) as Promise<T>;
  }

  status() {
    return this.call<Api.EngineStatus>('status', []);
  }
  listProfiles() {
    return this.call<Api.ListedProfile[]>('listProfiles', []);
  }
  refresh(profiles?: string[]) {
    return this.call<Api.RefreshReport>('refresh', [profiles]);
  }
  credentials(profile: string) {
    return this.call<Api.HandOut>('credentials', [profile]);
  }
  addProfiles(...args: Parameters<Api.EngineApi['addProfiles']>) {
    return this.call<Api.AddProfilesReport>('addProfiles', args);
  }
  setProfile(name: string, change: Api.ProfileChange) {
    return this.call<Api.SetProfileReport>('setProfile', [name, change]);
  }
  removeProfile(name: string, options: { keepSections: boolean }) {
    return this.call<Api.RemoveProfileReport>('removeProfile', [name, options]);
  }
  signIn(request: Api.SignInRequest, progress?: Api.Progress) {
    return this.call<Api.SignInReport>('signIn', [request], progress);
  }
  connect(vault: VaultSettings) {
    return this.call<Api.ConnectReport>('connect', [vault]);
  }
  signOut() {
    return this.call<Api.SignOutReport>('signOut', []);
  }
  doctor(vault?: VaultSettings) {
    return this.call<Api.DoctorReport>('doctor', [vault]);
  }
  discoverRoles() {
    return this.call<Awaited<ReturnType<Api.EngineApi['discoverRoles']>>>('discoverRoles', []);
  }
  checkProfile(name: string) {
    return this.call<Awaited<ReturnType<Api.EngineApi['checkProfile']>>>('checkProfile', [name]);
  }
}
