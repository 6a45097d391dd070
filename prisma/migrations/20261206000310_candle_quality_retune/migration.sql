-- CreateTable
CREATE TABLE "candle_quality_issues" (
    "market" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "size" DOUBLE PRECISION NOT NULL,
    "detail" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "candle_quality_issues_pkey" PRIMARY KEY ("market","timeframe","ts","kind")
);

-- CreateIndex
CREATE INDEX "candle_quality_issues_kind_ts_idx" ON "candle_quality_issues"("kind", "ts");

-- CreateTable
CREATE TABLE "candle_quality_checks" (
    "market" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "checked_from" TIMESTAMPTZ(3) NOT NULL,
    "checked_to" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "candle_quality_checks_pkey" PRIMARY KEY ("market","timeframe")
);

-- AlterTable
ALTER TABLE "config_history" ADD COLUMN "evidence" JSONB;

-- CreateTable
CREATE TABLE "retune_proposals" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "current" JSONB NOT NULL,
    "evidence" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,

    CONSTRAINT "retune_proposals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "retune_proposals_session_id_created_at_idx" ON "retune_proposals"("session_id", "created_at");

-- AddForeignKey
ALTER TABLE "retune_proposals" ADD CONSTRAINT "retune_proposals_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
