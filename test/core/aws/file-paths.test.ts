import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeDirectory, resolveAwsFilePaths } from '../../../src/core/aws/file-paths.js';

const HOME = path.join(path.sep, 'home', 'dev');
const CWD = path.join(path.sep, 'work');

describe('resolveAwsFilePaths', () => {
  it('defaults to ~/.aws/credentials and ~/.aws/config', () => {
    expect(resolveAwsFilePaths({ env: {}, homeDir: HOME, cwd: CWD })).toEqual({
      credentialsFile: path.join(HOME, '.aws', 'credentials'),
      configFile: path.join(HOME, '.aws', 'config'),
    });
  });

  it('honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, expanding a leading ~', () => {
    const env = { AWS_SHARED_CREDENTIALS_FILE: '~/alt/creds', AWS_CONFIG_FILE: 'rel/config' };
    expect(resolveAwsFilePaths({ env, homeDir: HOME, cwd: CWD })).toEqual({
      credentialsFile: path.join(HOME, 'alt', 'creds'),
      configFile: path.join(CWD, 'rel', 'config'),
    });
  });

  it('lets a path from the settings win over the environment; empty values count as unset', () => {
    const env = { AWS_SHARED_CREDENTIALS_FILE: '/env/creds', AWS_CONFIG_FILE: '' };
    const settings = { credentialsFile: '/settings/creds', configFile: '' };
    expect(resolveAwsFilePaths({ env, homeDir: HOME, cwd: CWD, settings })).toEqual({
      credentialsFile: path.resolve('/settings/creds'),
      configFile: path.join(HOME, '.aws', 'config'),
    });
  });
});

describe('homeDirectory', () => {
  it('follows the JS SDK: HOME, USERPROFILE, HOMEDRIVE+HOMEPATH, then the OS', () => {
    const os = (): string => '/from/os';
    expect(homeDirectory({ HOME: '/h', USERPROFILE: 'C:\\u' }, os)).toBe('/h');
    expect(homeDirectory({ USERPROFILE: 'C:\\u' }, os)).toBe('C:\\u');
    expect(homeDirectory({ HOMEDRIVE: 'D:', HOMEPATH: '\\p' }, os)).toBe('D:\\p');
    expect(homeDirectory({ HOME: '' }, os)).toBe('/from/os');
  });
});
