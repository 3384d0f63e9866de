"""nn: layers, activations, losses, initialization and saving, on tinygrad_lite Tensors,
spelled like torch.nn.

    import nn
    import nn.functional as F
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 2))
    loss = nn.CrossEntropyLoss()(model(x), y)
"""
from . import functional, init, utils
from .activation import (ELU, GELU, SELU, LeakyReLU, LogSoftmax, PReLU, ReLU, RReLU, Sigmoid,
                         Softmax, Softplus, Tanh)
from .activation import (CELU, GLU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, ReLU6,
                         SiLU, Softmin, Softsign, Tanhshrink, Threshold)
from .attention import MultiheadAttention
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .bilinear import Bilinear
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d
from .embedding import Embedding
from .linear import Flatten, Identity, Linear, Unflatten
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss,
                   l1_penalty, l2_penalty)
from .loss_margin import (CosineEmbeddingLoss, MarginRankingLoss, MultiLabelSoftMarginLoss,
                          SoftMarginLoss, TripletMarginLoss)
from .loss_regression import (GaussianNLLLoss, HuberLoss, KLDivLoss, PoissonNLLLoss,
                              SmoothL1Loss)
from .module import Module, Parameter
from .normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d, LayerNorm
from .pooling import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
                      MaxPool2d, MaxUnpool2d)
from .rnn import GRU, LSTM, RNN
from .rnn_cell import GRUCell, LSTMCell, RNNCell
from .summary import summary
from .transformer import TransformerEncoder, TransformerEncoderLayer
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from tinygrad_lite.serialization import load, save

__all__ = ["AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d",
           "CrossEntropyLoss", "Dropout", "ELU", "Flatten", "GELU", "Identity", "L1Loss",
           "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleDict",
           "ModuleList", "NLLLoss", "PReLU", "Parameter", "RReLU", "ReLU", "SELU", "Sequential",
           "Sigmoid", "Softmax", "Softplus", "Tanh", "functional", "init", "l1_penalty",
           "l2_penalty", "load", "save", "summary",
           "GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell", "utils"]
__all__ += ["CELU", "GLU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish", "ReLU6",
            "SiLU", "Softmin", "Softsign", "Tanhshrink", "Threshold"]
__all__ += ["CosineEmbeddingLoss", "GaussianNLLLoss", "HuberLoss", "KLDivLoss", "MarginRankingLoss",
            "MultiLabelSoftMarginLoss", "PoissonNLLLoss", "SmoothL1Loss", "SoftMarginLoss",
            "TripletMarginLoss"]
__all__ += ["GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "LayerNorm"]
__all__ += ["Embedding"]
__all__ += ["MultiheadAttention"]
__all__ += ["TransformerEncoder", "TransformerEncoderLayer"]
__all__ += ["AlphaDropout", "Bilinear", "Dropout1d", "Dropout2d", "Unflatten"]
__all__ += ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool1d", "Conv1d", "ConvTranspose2d",
            "MaxPool1d", "MaxUnpool2d", "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]
