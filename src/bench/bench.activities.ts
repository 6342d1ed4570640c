/** The one activity of the bare bench workflow: insert a row, as our activities write the read model. */
import type postgres from 'postgres';

export const BENCH_MARKS_TABLE = 'bench_marks';

export function createBenchActivities(sql: postgres.Sql) {
  return {
    async benchMark(input: { key: string; step: number }): Promise<void> {
      await sql`insert into bench_marks (key, step) values (${input.key}, ${input.step})
        on conflict do nothing`;
    },
  };
}
export type BenchActivities = ReturnType<typeof createBenchActivities>;
