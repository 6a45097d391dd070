import { RouterProvider } from '@tanstack/react-router';
import { useSyncExternalStore } from 'react';
import { authSession, subscribeAuth } from './api/auth';
import { LoginPage } from './pages/LoginPage';
import { createAppRouter } from './router';

const router = createAppRouter();

export function App() {
  const session = useSyncExternalStore(subscribeAuth, authSession);
  return session ? <RouterProvider router={router} /> : <LoginPage />;
}
