import { formatAbsolute } from "@/lib/time";

/** Tokens the local sandbox no longer knows because it started over after the portal got them: not a revocation. */
export function sandboxResetMessage(stateSince: Date): string {
  return (
    `The local Apicbase sandbox was reset at ${formatAbsolute(stateSince)}, after the portal got this connection's ` +
    "tokens, so it no longer knows them. Nobody revoked anything: the sandbox's saved state (DATA_DIR/emulator/) was " +
    "deleted or reset. Re-authorize the connection to connect it again."
  );
}
