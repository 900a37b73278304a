import type { WireCredentials } from './engine-endpoint.js';
import { EngineRequestError } from './engine-server.js';
import type { EngineRequest } from './engine-server.js';
import { ProfileRequestError, SignInNeededError } from './engine.js';
import type { Engine } from './engine.js';
import { refreshReport } from './refresh.js';

/** What the engine's socket does with a valid request: the engine's own methods, nothing more. */
export async function handleEngineRequest(
  engine: Engine,
  request: EngineRequest,
): Promise<Record<string, unknown>> {
  try {
    switch (request.op) {
      case 'status':
        return { status: engine.status(), pid: process.pid };
      case 'credentials': {
        const c = await engine.credentials(request.profile);
        const credentials: WireCredentials = {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          sessionToken: c.sessionToken || undefined,
          expiresAt: c.expiresAt,
        };
        return { credentials };
      }
      case 'refresh':
        return { ...refreshReport(await engine.refreshNow(request.profiles)) };
      case 'profile-add':
        // Answered at once; the engine writes the profile in its queue.
        void engine.addProfiles({ [request.name]: request.binding }).catch(() => undefined);
        return {};
      case 'profile-remove':
        return { hadSections: await engine.removeProfile(request.name) };
      case 'profile-delivery':
        await engine.setDelivery(request.name, request.delivery);
        return {};
      case 'logout':
        await engine.signOut();
        return {};
    }
  } catch (error) {
    if (error instanceof SignInNeededError)
      throw new EngineRequestError('sign_in_needed', error.message);
    if (error instanceof ProfileRequestError)
      throw new EngineRequestError(
        error.kind === 'not_found' ? 'not_found' : 'failure',
        error.message,
      );
    throw error;
  }
}
