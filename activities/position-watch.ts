// The session's check on its Position children: started with ABANDON and reporting their close by
// signal, a child that failed or was terminated would otherwise stay "open" in the session forever.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { PositionStatus } from '../core/contract';

export interface EndedPosition {
  positionId: string;
  /** Temporal's execution status (COMPLETED, FAILED, TERMINATED, CANCELLED, TIMED_OUT, ...), or NOT_FOUND. */
  execution: string;
  /** The position's final status when it completed. */
  result: PositionStatus | null;
}

export function createPositionWatchActivities() {
  return {
    /** Which of these Position workflows are no longer running, and how they ended. */
    async positionsEnded(input: { positionIds: string[] }): Promise<EndedPosition[]> {
      const client = Context.current().client;
      const ended: EndedPosition[] = [];
      for (const positionId of input.positionIds) {
        const handle = client.workflow.getHandle(positionId);
        // A workflow the server no longer knows (past its retention) has ended too; a retry would never help.
        const status = await handle.describe().then(
          (d) => d.status,
          (err) => {
            if (err instanceof WorkflowNotFoundError) return { name: 'NOT_FOUND' };
            throw err;
          },
        );
        if (status.name === 'RUNNING') continue;
        const result = status.name === 'COMPLETED' ? ((await handle.result()) as PositionStatus) : null;
        ended.push({ positionId, execution: status.name, result });
      }
      return ended;
    },
  };
}
