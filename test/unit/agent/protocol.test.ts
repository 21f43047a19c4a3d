/**
 * The agent's wire schemas and endpoint rules on their own: what a request
 * may hold, what an answer may hold (no refresh token can slip through),
 * the size cap, and the private socket folder.
 */
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentEndpoint, prepareSocketFolder, socketFolder } from '../../../main/core/agent/endpoint.js';
import { AgentProtocolProblem, LineReader, MAX_AGENT_MESSAGE_BYTES, parseAgentRequest, parseAgentResponse } from '../../../main/core/agent/protocol.js';

const caller = { pid: 42, executable: '/usr/bin/node' };
const head = { v: 1, id: 1, key: 'k'.repeat(43), caller };
const dir = mkdtempSync(join(tmpdir(), 'tokendesk-agent-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent requests', () => {
  it('accepts each operation with its parameters', () => {
    expect(parseAgentRequest({ ...head, op: 'token', name: 'myfiber', force: true, minValiditySeconds: 120 })).toMatchObject({ op: 'token', name: 'myfiber', force: true, minValiditySeconds: 120 });
    expect(parseAgentRequest({ ...head, op: 'list' })).toMatchObject({ op: 'list' });
    expect(parseAgentRequest({ ...head, op: 'remove', name: 'x' })).toMatchObject({ op: 'remove' });
  });

  it('refuses another version, unknown operations and fields, and bad values, naming what is wrong', () => {
    const refused = (value: unknown): string => {
      try {
        parseAgentRequest(value);
      } catch (error) {
        expect(error).toBeInstanceOf(AgentProtocolProblem);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ ...head, v: 2, op: 'list' })).toContain('protocol version 1');
    expect(refused({ ...head, op: 'steal' })).toContain('Unknown operation');
    expect(refused({ ...head, op: 'list', extra: 1 })).toContain('unknown field "extra"');
    expect(refused({ ...head, op: 'token', name: '' })).toContain('"name"');
    expect(refused({ ...head, op: 'token', name: 'a', minValiditySeconds: -1 })).toContain('minValiditySeconds');
    expect(refused({ ...head, caller: { pid: 'x', executable: 'node' }, op: 'list' })).toContain('caller.pid');
    expect(refused({ v: 1, id: 1, caller, op: 'list' })).toContain('"key"');
  });
});

describe('agent answers', () => {
  it('refuses a token answer with any field beyond the access token and its metadata', () => {
    const token = { accessToken: 'at', tokenType: 'Bearer', obtainedAt: 1, hasRefreshToken: true };
    expect(parseAgentResponse({ v: 1, id: 3, ok: true, result: token }, 'token', 3)).toEqual({ ok: true, result: token });
    expect(() => parseAgentResponse({ v: 1, id: 3, ok: true, result: { ...token, refreshToken: 'rt' } }, 'token', 3)).toThrow('unknown field "refreshToken"');
    expect(() => parseAgentResponse({ v: 1, id: 4, ok: true, result: token }, 'token', 3)).toThrow('another request');
  });

  it('carries that the account presents a client certificate (never the certificate), and nothing else under that name', () => {
    const token = { accessToken: 'at', tokenType: 'Bearer', obtainedAt: 1, hasRefreshToken: false, clientCertificate: true };
    expect(parseAgentResponse({ v: 1, id: 3, ok: true, result: token }, 'token', 3)).toEqual({ ok: true, result: token });
    expect(() => parseAgentResponse({ v: 1, id: 3, ok: true, result: { ...token, clientCertificate: { key: 'k' } } }, 'token', 3)).toThrow('"clientCertificate" must be true');
    expect(() => parseAgentResponse({ v: 1, id: 3, ok: true, result: { ...token, clientCertificate: false } }, 'token', 3)).toThrow('"clientCertificate" must be true');
  });

  it('carries an error kind the command line maps to its exit code', () => {
    expect(parseAgentResponse({ v: 1, id: 3, ok: false, error: { kind: 'vault', code: 'ERR_AGENT_DENIED', message: 'no' } }, 'token', 3)).toMatchObject({ ok: false, error: { kind: 'vault' } });
    expect(() => parseAgentResponse({ v: 1, id: 3, ok: false, error: { kind: 'whatever', code: 'E', message: 'm' } }, 'token', 3)).toThrow('known kind');
  });
});

describe('message framing', () => {
  it('splits lines across chunks and refuses a line over the cap', () => {
    const reader = new LineReader();
    expect(reader.push('{"a":')).toEqual([]);
    expect(reader.push('1}\n{"b":2}\n{"c"')).toEqual(['{"a":1}', '{"b":2}']);
    expect(() => new LineReader().push('x'.repeat(MAX_AGENT_MESSAGE_BYTES + 1))).toThrow('longer than 1 MiB');
  });
});

describe('the endpoint', () => {
  it('is one socket per vault folder in the private runtime folder, a named pipe on Windows', () => {
    const runtime = join(dir, 'run');
    prepareSocketFolder(runtime, process.getuid!());
    const host = { platform: 'linux' as const, env: { XDG_RUNTIME_DIR: runtime }, uid: process.getuid!() };
    expect(socketFolder(host)).toBe(join(runtime, 'tokendesk'));
    expect(agentEndpoint('/a', host)).not.toBe(agentEndpoint('/b', host));
    expect(agentEndpoint('/a', host)).toMatch(/agent-[0-9a-f]{16}\.sock$/);
    expect(agentEndpoint('/a', { platform: 'win32', env: {}, userName: 'me' })).toMatch(/^\\\\\.\\pipe\\tokendesk-[0-9a-f]{16}$/);
    // A runtime folder others can enter is not used.
    const open = join(dir, 'open');
    prepareSocketFolder(open, undefined);
    chmodSync(open, 0o755);
    expect(socketFolder({ ...host, env: { XDG_RUNTIME_DIR: open }, tmpdir: dir })).toBe(join(dir, `tokendesk-${process.getuid!()}`));
  });

  it('refuses a socket folder that others can enter, or that is a link', () => {
    const shared = join(dir, 'shared');
    prepareSocketFolder(shared, undefined);
    chmodSync(shared, 0o777);
    expect(() => prepareSocketFolder(shared, process.getuid!())).toThrow(/not a private folder/);
    const link = join(dir, 'link');
    symlinkSync(join(dir, 'run'), link);
    expect(() => prepareSocketFolder(link, process.getuid!())).toThrow(/not a private folder/);
  });
});
