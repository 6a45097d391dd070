-- CreateTable
CREATE TABLE "live_confirmations" (
    "session_id" TEXT NOT NULL,
    "token_id" TEXT NOT NULL,
    "confirmed_by" TEXT NOT NULL,
    "config_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_confirmations_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "live_confirmations_token_id_key" ON "live_confirmations"("token_id");
