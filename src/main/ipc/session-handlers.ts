import type { EngineApi } from '../../core/engine/engine-api.js';
import type { AppStatus } from '../../shared/app-status.js';
import type { IpcHandlers } from '../ipc-handlers.js';
import type { SignInFlow } from '../sign-in-flow.js';

type SessionChannels =
  'session:sign-in' | 'session:cancel-sign-in' | 'session:totp' | 'session:sign-out';

/** Signing in and out from the window. */
export function sessionHandlers(deps: {
  engine: EngineApi & { snapshot(): AppStatus };
  flow: SignInFlow;
}): Pick<IpcHandlers, SessionChannels> {
  return {
    'session:sign-in': ({ token }) => deps.flow.signIn(token),
    'session:cancel-sign-in': () => deps.flow.cancel(),
    'session:totp': ({ code }) => deps.flow.submitTotp(code),
    'session:sign-out': async () => {
      await deps.engine.signOut();
      return deps.engine.snapshot();
    },
  };
}
