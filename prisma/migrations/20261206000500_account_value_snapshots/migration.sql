-- The account of a mode valued every minute (the Temporal Schedule `account-snapshots-<mode>`): the overview's
-- figures and equity curve.

-- CreateTable
CREATE TABLE "account_value_snapshots" (
    "id" TEXT NOT NULL,
    "mode" "session_mode" NOT NULL,
    "equity_krw" DECIMAL(38,18) NOT NULL,
    "free_krw" DECIMAL(38,18) NOT NULL,
    "unrealized_pnl_krw" DECIMAL(38,18) NOT NULL,
    "today_realized_pnl_krw" DECIMAL(38,18) NOT NULL,
    "unpriced" JSONB NOT NULL DEFAULT '[]',
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_value_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "account_value_snapshots_mode_taken_at_idx" ON "account_value_snapshots"("mode", "taken_at");
