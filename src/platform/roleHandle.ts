/** What starting a role (or one of its parts) returns: a way to drain and stop it. */
export interface RoleHandle {
  stop(): Promise<void>;
}
