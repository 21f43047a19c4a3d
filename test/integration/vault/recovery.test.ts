/**
 * Issue 9 item 9: opening from the backup is announced with what the user
 * needs to know (when the opened backup was saved, where the damaged file
 * went), and a vault.json replaced by an older copy is recognised.
 */
import { copyFile, link, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';

interface Content {
  counter: number;
}

const cheap = { N: 2 ** 10, r: 8, p: 1 };
const pass = () => createPassphraseSlot('recovery test', cheap);
let dir: string;
let file: string;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-recovery-'));
  file = join(dir, 'vault.json');
  clock = Date.parse('2026-03-01T09:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T1 = Date.parse('2026-03-01T09:00:00Z');
const T2 = Date.parse('2026-03-02T10:30:00Z');
const T3 = Date.parse('2026-03-03T12:00:00Z');

/** vault.json = counter 2 saved at T2, vault.json.bak = counter 1 saved at T1. */
async function twoVersions(): Promise<Vault<Content>> {
  clock = T1;
  const vault = await Vault.create<Content>({ dir, now }, [pass()], { counter: 1 });
  clock = T2;
  await vault.write({ counter: 2 });
  clock = T3;
  return vault;
}

async function flipDataByte(path: string): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as { data: string };
  const bytes = Buffer.from(json.data, 'base64');
  bytes[0]! ^= 0x01;
  json.data = bytes.toString('base64');
  await writeFile(path, JSON.stringify(json));
}

describe('opening from the backup', () => {
  it('says when the opened backup was saved and where the damaged vault.json was set aside', async () => {
    await twoVersions();
    await flipDataByte(file);
    const damagedBytes = await readFile(file);
    // A copy tool or sync client may have touched the backup's mtime: the save time in the file is what counts.
    await utimes(`${file}.bak`, new Date(), new Date());
    const vault = await Vault.open<Content>({ dir, now }, [pass()]);
    expect(vault.openedFromBackup).toBe(true);
    expect(vault.read().counter).toBe(1);
    expect(vault.recovery?.backupSavedAt).toBe(T1);
    const aside = vault.recovery?.damagedCopyPath;
    expect(aside).toBeDefined();
    expect(aside!.startsWith(join(dir, 'vault.json.damaged-'))).toBe(true);
    expect((await readFile(aside!)).equals(damagedBytes)).toBe(true);
    expect(vault.rollback).toBeUndefined();
    // Announced once: the next open is a normal one.
    const again = await Vault.open<Content>({ dir, now }, [pass()]);
    expect(again.recovery).toBeUndefined();
    expect(again.openedFromBackup).toBe(false);
    expect(again.read().counter).toBe(1);
  });

  it('with vault.json missing: the backup time, and no damaged copy', async () => {
    await twoVersions();
    await rm(file);
    const vault = await Vault.open<Content>({ dir, now }, [pass()]);
    expect(vault.recovery).toEqual({ backupSavedAt: T1 });
    expect((await readdir(dir)).filter((n) => n.includes('damaged'))).toEqual([]);
  });

  it('a backup from before save times were recorded: its modification time', async () => {
    await copyFile(new URL('../../fixtures/vault/v0-vault.json', import.meta.url), `${file}.bak`);
    await utimes(`${file}.bak`, new Date(T1), new Date(T1));
    await writeFile(file, 'garbage');
    const vault = await Vault.open<Content>({ dir }, [createPassphraseSlot('correct horse v0', cheap)]);
    expect(vault.openedFromBackup).toBe(true);
    expect(vault.recovery?.backupSavedAt).toBe(T1);
    expect(vault.recovery?.damagedCopyPath).toBeDefined();
  });
});

describe('a vault.json replaced by an older copy', () => {
  it('is recognised on open when the backup was copied over it', async () => {
    await twoVersions();
    await copyFile(`${file}.bak`, file);
    const vault = await Vault.open<Content>({ dir, now }, [pass()]);
    expect(vault.openedFromBackup).toBe(false);
    expect(vault.read().counter).toBe(1);
    expect(vault.rollback).toEqual({ savedAt: T1, detected: 'on-open' });
  });

  it('is recognised on open when an even older file was put in its place', async () => {
    clock = T1;
    const vault = await Vault.create<Content>({ dir, now }, [pass()], { counter: 1 });
    const oldest = await readFile(file);
    clock = T2;
    await vault.write({ counter: 2 });
    clock = T3;
    await vault.write({ counter: 3 });
    await writeFile(file, oldest);
    const reopened = await Vault.open<Content>({ dir, now }, [pass()]);
    expect(reopened.read().counter).toBe(1);
    expect(reopened.rollback).toEqual({ savedAt: T1, detected: 'on-open' });
  });

  it('is not reported for normal saves, slot changes, restores, or a save stopped between its backup and its rename', async () => {
    const vault = await twoVersions();
    expect((await Vault.open<Content>({ dir }, [pass()])).rollback).toBeUndefined();
    await vault.replaceSlot(pass());
    expect((await Vault.open<Content>({ dir }, [pass()])).rollback).toBeUndefined();
    await flipDataByte(file);
    expect((await Vault.open<Content>({ dir }, [pass()])).openedFromBackup).toBe(true); // restores
    expect((await Vault.open<Content>({ dir }, [pass()])).rollback).toBeUndefined();
    // A save killed after step 2 (atomic-file.ts): vault.json.bak is vault.json's own inode.
    await rm(`${file}.bak`);
    await link(file, `${file}.bak`);
    expect((await Vault.open<Content>({ dir }, [pass()])).rollback).toBeUndefined();
  });

  it('is recognised while open: the instance keeps its newer content and saves it at the next write', async () => {
    const vault = await twoVersions();
    const older = await readFile(`${file}.bak`);
    const seen = await Vault.open<Content>({ dir, now }, [pass()]); // has seen counter 2
    await writeFile(file, older); // counter 1 put back behind its back (and not a byte-identical hard link)
    const result = await seen.update((c) => ({ next: { counter: c.counter + 10 }, result: c.counter }));
    expect(result).toBe(2); // it worked on what it had, not on the older file
    expect(seen.rollback).toEqual({ savedAt: T1, detected: 'while-open' });
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(12);
    expect(vault.read().counter).toBe(2);
  });

  it('is NOT recognised when vault.json and its backup are both replaced by an older pair while no TokenDesk is open (documented limit)', async () => {
    clock = T1;
    const vault = await Vault.create<Content>({ dir, now }, [pass()], { counter: 1 });
    await vault.write({ counter: 2 });
    const pair = [await readFile(file), await readFile(`${file}.bak`)] as const;
    await vault.write({ counter: 3 });
    await writeFile(file, pair[0]);
    await writeFile(`${file}.bak`, pair[1]);
    const reopened = await Vault.open<Content>({ dir, now }, [pass()]);
    expect(reopened.read().counter).toBe(2);
    expect(reopened.rollback).toBeUndefined();
  });
});
