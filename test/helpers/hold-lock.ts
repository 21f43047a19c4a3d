/** Holds a TokenDesk lock file from the test process, as another TokenDesk in the middle of a save would. */
import { withFileLock } from '../../main/core/vault/index.js';

export interface HeldLock {
  /** Lets the lock go and waits until it is released. */
  release(): Promise<void>;
}

/** Resolves once `path` is held; it stays held until `release()`. */
export async function holdLock(path: string): Promise<HeldLock> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const holding = withFileLock(path, async () => {
    held();
    await released;
  });
  await Promise.race([isHeld, holding]);
  return {
    async release() {
      release();
      await holding;
    },
  };
}
