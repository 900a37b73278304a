import { IPC_CHANNELS } from './ipc.js';
import type { IpcChannel } from './ipc.js';
import { profileNameProblem } from './profile-name.js';
import { z } from './zod.js';

const noPayload = z.undefined();
const profileName = z
  .string()
  .refine((name) => profileNameProblem(name) === undefined, 'not a valid AWS profile name');

/** What each channel accepts; anything else is refused before a handler runs. */
export const IPC_PAYLOADS = {
  [IPC_CHANNELS.appInfo]: noPayload,
  [IPC_CHANNELS.status]: noPayload,
  [IPC_CHANNELS.refresh]: z
    .object({ profiles: z.array(profileName).max(1000).optional() })
    .strict(),
  [IPC_CHANNELS.signIn]: noPayload,
  [IPC_CHANNELS.signOut]: noPayload,
} as const;

export type IpcPayload<C extends IpcChannel> = z.infer<(typeof IPC_PAYLOADS)[C]>;
