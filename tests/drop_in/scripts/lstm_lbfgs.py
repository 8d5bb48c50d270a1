"""Sine-wave prediction with stacked LSTMCells trained by L-BFGS (plain PyTorch: no ember imports).

After pytorch/examples time_sequence_prediction: learn sine waves with random
phases, then let the model continue them on its own. Smaller than the
original (shorter waves, a narrower LSTM, a few steps) and with NumPy-made
data and initial weights, so real torch and ember start from the same numbers:

    python tests/drop_in/scripts/lstm_lbfgs.py --out OUT           # real torch
    python -m ember.drop_in tests/drop_in/scripts/lstm_lbfgs.py --out OUT
"""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def generate_sine_waves(T=20, L=30, N=10):
    """N sine waves of length L and period 2*pi*T, each shifted by a random integer phase."""
    x = np.empty((N, L), 'int64')
    x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
    return np.sin(x / 1.0 / T).astype('float64')


class Sequence(nn.Module):
    def __init__(self, hidden=16):
        super(Sequence, self).__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)

        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs


def numpy_init_(model):
    """Re-initialise every parameter from NumPy's RNG with torch's LSTM bound U(-1/sqrt(h), 1/sqrt(h))."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            bound = 1.0 / math.sqrt(model.hidden)
            p.copy_(torch.from_numpy(np.random.uniform(-bound, bound, tuple(p.shape))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=2, help='steps to run')
    parser.add_argument('--future', type=int, default=20, help='how many values to predict past the input')
    parser.add_argument('--out', default='.', help='where predictions.npy (and predict*.png with --plot) go')
    parser.add_argument('--plot', action='store_true', help='draw the predictions with matplotlib')
    opt = parser.parse_args()
    os.makedirs(opt.out, exist_ok=True)
    # set random seed to 0
    np.random.seed(0)
    torch.manual_seed(0)
    # make the data and the training set
    data = generate_sine_waves()
    input = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_input = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])
    # build the model
    seq = Sequence()
    seq.double()
    numpy_init_(seq)
    criterion = nn.MSELoss()
    # use LBFGS as optimizer since we can load the whole data to train
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    # begin to train
    for i in range(opt.steps):
        print('STEP: ', i)

        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print('loss:', loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)
        # begin to predict, no need to track gradient here
        with torch.no_grad():
            future = opt.future
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print('test loss: {:.12f}'.format(loss.item()))
            y = pred.detach().numpy()
        np.save(os.path.join(opt.out, 'predictions.npy'), y)
        if opt.plot:
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
            plt.figure(figsize=(12, 5))
            plt.title('Predict future values for time sequences\n(dashed lines are predicted values)')
            n = input.size(1)
            for row, color in zip(y, 'rgb'):
                plt.plot(np.arange(n), row[:n], color, linewidth=2.0)
                plt.plot(np.arange(n, n + future), row[n:], color + ':', linewidth=2.0)
            plt.savefig(os.path.join(opt.out, 'predict%d.png' % i))
            plt.close()


if __name__ == '__main__':
    main()
