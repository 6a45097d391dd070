-- CreateTable
CREATE TABLE "universe_snapshots" (
    "id" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "selected" JSONB NOT NULL,
    "excluded" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "universe_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "universe_snapshots_mode_created_at_idx" ON "universe_snapshots"("mode", "created_at");
