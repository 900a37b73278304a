import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { STACK_REGION } from './stack.js';

/**
 * GetCallerIdentity at the STS emulator through the AWS SDK's own profile loader (fromIni, which
 * also runs credential_process), as a user's program would call it.
 */
export async function callerArn(options: {
  endpoint: string;
  profile: string;
  credentialsFile: string;
  configFile: string;
  /** What the SDK learns from STS's Date header when the emulator's clock is not the wall's. */
  clockOffsetMs?: number;
}): Promise<string | undefined> {
  const client = new STSClient({
    endpoint: options.endpoint,
    region: STACK_REGION,
    maxAttempts: 1,
    systemClockOffset: options.clockOffsetMs,
    credentials: fromIni({
      profile: options.profile,
      ignoreCache: true,
      filepath: options.credentialsFile,
      configFilepath: options.configFile,
    }),
  });
  return (await client.send(new GetCallerIdentityCommand({}))).Arn;
}
