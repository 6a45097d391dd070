-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('admin', 'viewer');

-- CreateEnum
CREATE TYPE "alert_kind" AS ENUM ('telegram', 'slack', 'discord');

-- CreateEnum
CREATE TYPE "backtest_kind" AS ENUM ('backtest', 'optimize', 'walkforward', 'montecarlo');

-- CreateEnum
CREATE TYPE "session_mode" AS ENUM ('sim', 'paper', 'live');

-- CreateEnum
CREATE TYPE "order_side" AS ENUM ('bid', 'ask');

-- CreateEnum
CREATE TYPE "severity" AS ENUM ('info', 'warn', 'critical');

-- CreateEnum
CREATE TYPE "decision_action" AS ENUM ('entry', 'exit', 'skip');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "user_role" NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exchange_keys" (
    "id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "access_key_enc" BYTEA NOT NULL,
    "secret_key_enc" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exchange_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_channels" (
    "id" TEXT NOT NULL,
    "kind" "alert_kind" NOT NULL,
    "target" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "min_severity" "severity" NOT NULL DEFAULT 'warn',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backtest_runs" (
    "id" TEXT NOT NULL,
    "kind" "backtest_kind" NOT NULL,
    "status" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "metrics" JSONB,
    "result" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "backtest_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backtest_trades" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "entry_ts" TIMESTAMPTZ(3) NOT NULL,
    "exit_ts" TIMESTAMPTZ(3) NOT NULL,
    "entry_price" DECIMAL(38,18) NOT NULL,
    "exit_price" DECIMAL(38,18) NOT NULL,
    "volume" DECIMAL(38,18) NOT NULL,
    "pnl" DECIMAL(38,18) NOT NULL,
    "fees" DECIMAL(38,18) NOT NULL,
    "entry_reason" TEXT NOT NULL,
    "exit_reason" TEXT NOT NULL,
    "param_set" INTEGER,

    CONSTRAINT "backtest_trades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backtest_equity" (
    "run_id" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "equity" DECIMAL(38,18) NOT NULL,
    "drawdown" DECIMAL(38,18) NOT NULL,

    CONSTRAINT "backtest_equity_pkey" PRIMARY KEY ("run_id","ts")
);

-- CreateTable
CREATE TABLE "candles" (
    "market" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "open" DECIMAL(38,18) NOT NULL,
    "high" DECIMAL(38,18) NOT NULL,
    "low" DECIMAL(38,18) NOT NULL,
    "close" DECIMAL(38,18) NOT NULL,
    "volume" DECIMAL(38,18) NOT NULL,
    "value" DECIMAL(38,18),
    "source" TEXT NOT NULL,

    CONSTRAINT "candles_pkey" PRIMARY KEY ("market","timeframe","ts")
);

-- CreateTable
CREATE TABLE "markets" (
    "code" TEXT NOT NULL,
    "korean_name" TEXT NOT NULL,
    "english_name" TEXT NOT NULL,
    "warning" BOOLEAN NOT NULL DEFAULT false,
    "caution" JSONB NOT NULL DEFAULT '{}',
    "quote" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "markets_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mode" "session_mode" NOT NULL,
    "strategy" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "config_history" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "positions" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "entry_price" DECIMAL(38,18),
    "volume" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "remaining_volume" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "avg_exit_price" DECIMAL(38,18),
    "realized_pnl" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "fees" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "exit_plan" JSONB NOT NULL,
    "exit_reason" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "positions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "position_id" TEXT,
    "market" TEXT NOT NULL,
    "side" "order_side" NOT NULL,
    "ord_type" TEXT NOT NULL,
    "time_in_force" TEXT,
    "price" DECIMAL(38,18),
    "volume" DECIMAL(38,18),
    "funds" DECIMAL(38,18),
    "identifier" TEXT NOT NULL,
    "exchange_uuid" TEXT,
    "state" TEXT NOT NULL,
    "executed_volume" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "avg_price" DECIMAL(38,18),
    "paid_fee" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fills" (
    "id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "trade_uuid" TEXT NOT NULL,
    "price" DECIMAL(38,18) NOT NULL,
    "volume" DECIMAL(38,18) NOT NULL,
    "funds" DECIMAL(38,18) NOT NULL,
    "fee" DECIMAL(38,18) NOT NULL,
    "is_maker" BOOLEAN,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_snapshots" (
    "id" TEXT NOT NULL,
    "session_id" TEXT,
    "currency" TEXT NOT NULL,
    "balance" DECIMAL(38,18) NOT NULL,
    "locked" DECIMAL(38,18) NOT NULL,
    "avg_buy_price" DECIMAL(38,18) NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "risk_events" (
    "id" TEXT NOT NULL,
    "session_id" TEXT,
    "kind" TEXT NOT NULL,
    "severity" "severity" NOT NULL,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decisions" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "action" "decision_action" NOT NULL,
    "score" DOUBLE PRECISION,
    "reasons" JSONB NOT NULL,
    "snapshot" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "exchange_keys_label_key" ON "exchange_keys"("label");

-- CreateIndex
CREATE INDEX "backtest_runs_created_at_idx" ON "backtest_runs"("created_at");

-- CreateIndex
CREATE INDEX "backtest_trades_run_id_param_set_idx" ON "backtest_trades"("run_id", "param_set");

-- CreateIndex
CREATE INDEX "markets_quote_idx" ON "markets"("quote");

-- CreateIndex
CREATE INDEX "sessions_status_idx" ON "sessions"("status");

-- CreateIndex
CREATE INDEX "config_history_session_id_created_at_idx" ON "config_history"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "positions_session_id_status_idx" ON "positions"("session_id", "status");

-- CreateIndex
CREATE INDEX "positions_market_idx" ON "positions"("market");

-- CreateIndex
CREATE UNIQUE INDEX "orders_identifier_key" ON "orders"("identifier");

-- CreateIndex
CREATE INDEX "orders_session_id_created_at_idx" ON "orders"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "orders_position_id_idx" ON "orders"("position_id");

-- CreateIndex
CREATE INDEX "orders_exchange_uuid_idx" ON "orders"("exchange_uuid");

-- CreateIndex
CREATE UNIQUE INDEX "fills_trade_uuid_key" ON "fills"("trade_uuid");

-- CreateIndex
CREATE INDEX "fills_order_id_idx" ON "fills"("order_id");

-- CreateIndex
CREATE INDEX "account_snapshots_session_id_taken_at_idx" ON "account_snapshots"("session_id", "taken_at");

-- CreateIndex
CREATE INDEX "account_snapshots_currency_taken_at_idx" ON "account_snapshots"("currency", "taken_at");

-- CreateIndex
CREATE INDEX "risk_events_session_id_created_at_idx" ON "risk_events"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "risk_events_created_at_idx" ON "risk_events"("created_at");

-- CreateIndex
CREATE INDEX "decisions_session_id_created_at_idx" ON "decisions"("session_id", "created_at");

-- AddForeignKey
ALTER TABLE "backtest_trades" ADD CONSTRAINT "backtest_trades_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "backtest_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backtest_equity" ADD CONSTRAINT "backtest_equity_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "backtest_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_history" ADD CONSTRAINT "config_history_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "positions" ADD CONSTRAINT "positions_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_position_id_fkey" FOREIGN KEY ("position_id") REFERENCES "positions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fills" ADD CONSTRAINT "fills_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_snapshots" ADD CONSTRAINT "account_snapshots_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "risk_events" ADD CONSTRAINT "risk_events_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
