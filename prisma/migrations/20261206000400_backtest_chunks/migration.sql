-- Backtest chunk results get a table of their own; until now they were backtest_runs rows with status 'chunk'
-- and id '<run>~<key>'. Those rows move over (chunks of runs that no longer exist are dropped).

-- CreateTable
CREATE TABLE "backtest_chunks" (
    "run_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "computations" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "backtest_chunks_pkey" PRIMARY KEY ("run_id","key")
);

-- AddForeignKey
ALTER TABLE "backtest_chunks" ADD CONSTRAINT "backtest_chunks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "backtest_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "backtest_chunks" ("run_id", "key", "computations", "result", "created_at", "finished_at")
SELECT split_part(c."id", '~', 1), substr(c."id", strpos(c."id", '~') + 1),
       COALESCE((c."params"->>'computations')::INTEGER, 0), c."result", c."created_at", c."finished_at"
FROM "backtest_runs" c
WHERE c."status" = 'chunk' AND strpos(c."id", '~') > 0
  AND EXISTS (SELECT 1 FROM "backtest_runs" r WHERE r."id" = split_part(c."id", '~', 1));

DELETE FROM "backtest_runs" WHERE "status" = 'chunk';
