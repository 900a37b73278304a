import type { EngineApi, RefreshReport } from '../../core/engine/engine-api.js';
import type { AppStatus } from '../../shared/app-status.js';
import type { RefreshSummary } from '../../shared/ipc.js';
import type { IpcHandlers } from '../ipc-handlers.js';

type ProfileChannels =
  | 'status:get'
  | 'profiles:refresh'
  | 'roles:discover'
  | 'profiles:check'
  | 'profiles:add'
  | 'profiles:remove'
  | 'profiles:copy-exports'
  | 'profiles:open-console';

/** A refresh as the window shows it. */
function summary(report: RefreshReport | undefined): RefreshSummary {
  return {
    profiles: (report?.outcomes ?? []).map((o) =>
      o.ok
        ? { profile: o.profile, ok: true, expiresAt: new Date(o.expiresAt).toISOString() }
        : { profile: o.profile, ok: false, message: o.message },
    ),
    signInNeeded: report?.signInNeeded ?? false,
  };
}

/** The Choose roles and Profiles screens: each the engine's own operation. */
export function profileHandlers(deps: {
  engine: EngineApi & { snapshot(): AppStatus };
  copyExports(profile: string): Promise<void>;
  openConsole(profile: string): Promise<void>;
}): Pick<IpcHandlers, ProfileChannels> {
  const { engine } = deps;
  return {
    'status:get': () => engine.snapshot(),
    'profiles:refresh': async ({ profiles }) => summary(await engine.refresh(profiles)),
    'roles:discover': () => engine.discoverRoles(),
    'profiles:check': ({ name }) => engine.checkProfile(name),
    'profiles:add': async ({ profiles }) => {
      const report = await engine.addProfiles(
        profiles.map(({ name, ttlMinutes, ...binding }) => ({
          name,
          binding: {
            ...binding,
            ttlSeconds: ttlMinutes === undefined ? undefined : ttlMinutes * 60,
          },
        })),
        { refresh: true },
      );
      return { ...summary(report.refresh), signInNeeded: report.waiting === 'sign-in' };
    },
    'profiles:remove': async ({ name, deleteSections }) => {
      await engine.removeProfile(name, { keepSections: !deleteSections });
    },
    'profiles:copy-exports': ({ profile }) => deps.copyExports(profile),
    'profiles:open-console': ({ profile }) => deps.openConsole(profile),
  };
}
