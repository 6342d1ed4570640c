import type { PolicyRepository } from './policies.repository';

/**
 * Whether a policy exists, remembered once it does: a policy is never deleted (a change is a new
 * version under the same name), so a name found once stays valid and a registration naming it is
 * checked without a round trip. A name not found is asked again every time: it may be created
 * since. Concurrent first asks for one name share one look-up.
 */
export function knownPolicies(policies: Pick<PolicyRepository, 'exists'>) {
  const known = new Set<string>();
  const asking = new Map<string, Promise<boolean>>();
  return {
    exists(name: string): Promise<boolean> {
      if (known.has(name)) return Promise.resolve(true);
      let answer = asking.get(name);
      if (!answer) {
        answer = policies.exists(name).then(
          (found) => {
            asking.delete(name);
            if (found) known.add(name);
            return found;
          },
          (err: unknown) => {
            asking.delete(name);
            throw err;
          },
        );
        asking.set(name, answer);
      }
      return answer;
    },
  };
}
