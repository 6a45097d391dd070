-- CreateTable
CREATE TABLE "alert_outbox" (
    "id" TEXT NOT NULL,
    "session_id" TEXT,
    "kind" TEXT NOT NULL,
    "severity" "severity" NOT NULL,
    "message" TEXT NOT NULL,
    "dedupe_key" TEXT,
    "done_channels" JSONB NOT NULL DEFAULT '[]',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "done_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "alert_outbox_dedupe_key_key" ON "alert_outbox"("dedupe_key");

-- CreateIndex
CREATE INDEX "alert_outbox_done_at_next_attempt_at_idx" ON "alert_outbox"("done_at", "next_attempt_at");
