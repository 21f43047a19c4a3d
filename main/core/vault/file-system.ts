/**
 * The file-system calls the vault makes, as a port: the default is
 * node:fs/promises; a test passes a file system that fails at a chosen step
 * (ENOSPC on the third write, EPERM on a rename) to prove that every step
 * fails cleanly. Only what the vault needs, with node:fs/promises' signatures.
 */
import * as fsp from 'node:fs/promises';

/** The part of a node:fs/promises FileHandle the vault uses. */
export interface VaultFileHandle {
  writeFile(data: Uint8Array | string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The part of node:fs Stats the vault uses. */
export interface VaultStats {
  mtimeMs: number;
  mode: number;
  uid: number;
  ino: number;
  dev: number;
  isDirectory(): boolean;
}

export interface VaultFs {
  /** `flags` as node:fs (`'wx'` exclusive create, `'r'`, `'r+'`). */
  open(path: string, flags: string, mode?: number): Promise<VaultFileHandle>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<VaultStats>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  utimes(path: string, atime: Date, mtime: Date): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
  chmod(path: string, mode: number): Promise<void>;
}

/** The real file system. */
export const nodeFs: VaultFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  readFile: (path) => fsp.readFile(path),
  readdir: (path) => fsp.readdir(path),
  stat: (path) => fsp.stat(path),
  rename: (from, to) => fsp.rename(from, to),
  link: (existing, newPath) => fsp.link(existing, newPath),
  copyFile: (from, to) => fsp.copyFile(from, to),
  unlink: (path) => fsp.unlink(path),
  utimes: (path, atime, mtime) => fsp.utimes(path, atime, mtime),
  mkdir: (path, options) => fsp.mkdir(path, options),
  chmod: (path, mode) => fsp.chmod(path, mode),
};

/** What the file helpers need to know about where they run. */
export interface FileIo {
  fs: VaultFs;
  /** `win32` turns on the rename retry (antivirus, indexer) and turns off folder fsync. */
  platform: NodeJS.Platform;
}

export const defaultIo: FileIo = { fs: nodeFs, platform: process.platform };

export function ioOf(options: { fs?: VaultFs | undefined; platform?: NodeJS.Platform | undefined }): FileIo {
  return { fs: options.fs ?? nodeFs, platform: options.platform ?? process.platform };
}

export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
