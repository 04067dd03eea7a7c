import type { SimContext } from './context';

// What a simulated guest holds on its disks and in its /etc, as volume preparation left it: the ground truth the
// sim's guest executor decides from, and what tests assert on. One document per server.

export interface GuestArray {
  /** /dev/md/<name> */
  device: string;
  level: string;
  /** Member disks by stable id, in disk order. */
  members: string[];
  uuid: string;
  /** Assembled and running; a reboot without mdadm.conf would leave it inactive. */
  active: boolean;
}

export interface GuestLuks {
  /** The underlying device. */
  device: string;
  uuid: string;
  /** Mapping name: open, it appears as /dev/mapper/<name>. */
  name: string;
  open: boolean;
  /** SHA-256 of the passphrase; the sim never keeps the passphrase itself. */
  keyDigest: string;
}

export interface GuestFilesystem {
  device: string;
  type: string;
  uuid: string;
  label: string;
}

export interface GuestMount {
  device: string;
  mountPoint: string;
  type: string;
}

export interface GuestKeyFile {
  path: string;
  mode: string;
  keyDigest: string;
}

export interface GuestState {
  arrays: GuestArray[];
  luks: GuestLuks[];
  filesystems: GuestFilesystem[];
  mounts: GuestMount[];
  fstab: string[];
  crypttab: string[];
  mdadmConf: string[];
  keyFiles: GuestKeyFile[];
}

export const emptyGuestState = (): GuestState => ({
  arrays: [],
  luks: [],
  filesystems: [],
  mounts: [],
  fstab: [],
  crypttab: [],
  mdadmConf: [],
  keyFiles: [],
});

/** One server's guest state in the sim's store. */
export class SimGuest {
  constructor(
    private readonly ctx: SimContext,
    readonly region: string,
    readonly serverId: string,
  ) {}

  /** Stored apart from the server's own document (ids share one key space). */
  private get id(): string {
    return `${this.serverId}/guest`;
  }

  state(): GuestState {
    const stored = this.ctx.store.get<GuestState>('guest', this.id);
    return stored && stored.region === this.region ? { ...emptyGuestState(), ...stored.doc } : emptyGuestState();
  }

  /** Changes the state in one transaction: `change` sees the current state; a throw leaves it as it was. */
  update<T>(change: (state: GuestState) => T): T {
    return this.ctx.store.transaction(() => {
      const state = this.state();
      const before = JSON.stringify(state);
      const result = change(state);
      if (JSON.stringify(state) !== before)
        this.ctx.store.put({ id: this.id, kind: 'guest', region: this.region, clientToken: null, doc: state });
      return result;
    });
  }
}
