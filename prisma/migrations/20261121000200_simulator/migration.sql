-- CreateTable
CREATE TABLE "sim_keys" (
    "access_key" TEXT NOT NULL,
    "secret_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sim_keys_pkey" PRIMARY KEY ("access_key")
);

-- CreateTable
CREATE TABLE "sim_balances" (
    "access_key" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "balance" DECIMAL(38,18) NOT NULL,
    "locked" DECIMAL(38,18) NOT NULL,
    "avg_buy_price" DECIMAL(38,18) NOT NULL,

    CONSTRAINT "sim_balances_pkey" PRIMARY KEY ("access_key","currency")
);

-- CreateTable
CREATE TABLE "sim_orders" (
    "uuid" TEXT NOT NULL,
    "access_key" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "ord_type" TEXT NOT NULL,
    "price" DECIMAL(38,18),
    "volume" DECIMAL(38,18),
    "remaining_volume" DECIMAL(38,18),
    "remaining_funds" DECIMAL(38,18),
    "state" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "identifier" TEXT,
    "time_in_force" TEXT,
    "smp_type" TEXT,
    "fee_rate" DECIMAL(38,18) NOT NULL,
    "reserved_fee" DECIMAL(38,18) NOT NULL,
    "remaining_fee" DECIMAL(38,18) NOT NULL,
    "paid_fee" DECIMAL(38,18) NOT NULL,
    "locked" DECIMAL(38,18) NOT NULL,
    "executed_volume" DECIMAL(38,18) NOT NULL,
    "executed_funds" DECIMAL(38,18) NOT NULL,
    "prevented_volume" DECIMAL(38,18) NOT NULL,
    "prevented_locked" DECIMAL(38,18) NOT NULL,
    "trades_count" INTEGER NOT NULL,
    "best_limit" DECIMAL(38,18),
    "match_after" TIMESTAMPTZ(3),
    "seq" INTEGER NOT NULL,

    CONSTRAINT "sim_orders_pkey" PRIMARY KEY ("uuid")
);

-- CreateTable
CREATE TABLE "sim_trades" (
    "uuid" TEXT NOT NULL,
    "order_uuid" TEXT NOT NULL,
    "access_key" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "price" DECIMAL(38,18) NOT NULL,
    "volume" DECIMAL(38,18) NOT NULL,
    "funds" DECIMAL(38,18) NOT NULL,
    "fee" DECIMAL(38,18) NOT NULL,
    "is_maker" BOOLEAN NOT NULL,
    "trend" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sim_trades_pkey" PRIMARY KEY ("uuid")
);

-- CreateTable
CREATE TABLE "sim_identifiers" (
    "access_key" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,

    CONSTRAINT "sim_identifiers_pkey" PRIMARY KEY ("access_key","identifier")
);

-- CreateIndex
CREATE INDEX "sim_orders_access_key_state_idx" ON "sim_orders"("access_key", "state");

-- CreateIndex
CREATE UNIQUE INDEX "sim_orders_access_key_identifier_key" ON "sim_orders"("access_key", "identifier");

-- CreateIndex
CREATE INDEX "sim_trades_order_uuid_idx" ON "sim_trades"("order_uuid");

-- AddForeignKey
ALTER TABLE "sim_balances" ADD CONSTRAINT "sim_balances_access_key_fkey" FOREIGN KEY ("access_key") REFERENCES "sim_keys"("access_key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sim_orders" ADD CONSTRAINT "sim_orders_access_key_fkey" FOREIGN KEY ("access_key") REFERENCES "sim_keys"("access_key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sim_trades" ADD CONSTRAINT "sim_trades_order_uuid_fkey" FOREIGN KEY ("order_uuid") REFERENCES "sim_orders"("uuid") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sim_identifiers" ADD CONSTRAINT "sim_identifiers_access_key_fkey" FOREIGN KEY ("access_key") REFERENCES "sim_keys"("access_key") ON DELETE RESTRICT ON UPDATE CASCADE;
